#!/usr/bin/env bash
# A whole meal with curl, as the README shows it: staff, order, kitchen, bill, payment, takings.
# Run it against `npm start` (first started with BRIGADE_ADMIN_PASSWORD=demo-admin-pass):
#   bash scripts/tour.sh
# BRIGADE_URL and BRIGADE_ADMIN_PASSWORD point it elsewhere; test/docs/tour.test.ts runs it.
set -euo pipefail
# --- tour ---
B=${BRIGADE_URL:-http://127.0.0.1:3000}
ADMIN_PASSWORD=${BRIGADE_ADMIN_PASSWORD:-demo-admin-pass}
field() { node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const v=process.argv[1].split(".").reduce((o,k)=>o?.[k],JSON.parse(s));if(v===undefined){console.error(`no ${process.argv[1]} in ${s}`);process.exit(1)}console.log(v)})' "$1"; }
login() { curl -sf $B/api/auth/login -H 'content-type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}" | field token; }
call() { curl -sS -H "authorization: Bearer $1" -H 'content-type: application/json' "${@:2}"; echo; }
ADMIN=$(login admin "$ADMIN_PASSWORD")

# the manager hires a waiter and a cashier (a second run answers 409 USERNAME_TAKEN: that is fine)
call $ADMIN -X POST $B/api/staff -d '{"username":"wendy","name":"Wendy Waiter","role":"waiter","password":"wendy-pass-1"}'
call $ADMIN -X POST $B/api/staff -d '{"username":"carl","name":"Carl Cashier","role":"cashier","password":"carl-pass-1"}'
WAITER=$(login wendy wendy-pass-1)
CASHIER=$(login carl carl-pass-1)

# the menu is public
curl -s "$B/api/dishes?pageSize=3"; echo
# → {"rows":[{"id":"chocolate-fondant","name":"Chocolate Fondant","priceCents":850,"station":"pastry",...}],"total":14,...}

# table 4 orders; the same Idempotency-Key on a retry returns the same order instead of a second one
PLACED=$(call $WAITER -X POST $B/api/orders -H "Idempotency-Key: tour-$(date +%s%N)" \
  -d '{"table":"4","lines":[{"dish":"classic-cheeseburger","qty":2,"notes":"one without onion"},{"dish":"fresh-lemonade","qty":2}]}')
echo "$PLACED"; ORDER=$(field id <<<"$PLACED")
# → 201 {"id":"ord_…","table":"4","status":"placed","lines":[...],"totalCents":3800,...}

# the kitchen starts on its own, one ticket per line at its station
call $ADMIN "$B/api/tickets?status=cooking"
# → {"rows":[{"id":"ord_…-0","dish":"classic-cheeseburger","station":"grill","status":"cooking",...},...],...}

# a burger takes 10 minutes, so the chef (here the manager, who may do everything) bumps each
# ticket as it cooks (a ticket already done answers 409); once all are done the order is ready
until [ "$(call $WAITER $B/api/orders/$ORDER | field status)" = ready ]; do
  for ticket in $ORDER-0 $ORDER-1; do call $ADMIN -X POST $B/api/tickets/$ticket/bump >/dev/null; done
  sleep 0.2
done

# the waiter serves it and opens the table's bill
call $WAITER -X POST $B/api/orders/$ORDER/serve   # → {"status":"served",...}
OPENED=$(call $WAITER -X POST $B/api/bills -d '{"table":"4"}')
echo "$OPENED"; BILL=$(field id <<<"$OPENED")
# → 201 {"id":"bill_…","table":"4","orders":["ord_…"],"totalCents":3800,"paidCents":0,"status":"open",...}

# the customer hands over 50.00 in cash and leaves 5.00 as a tip
call $CASHIER -X POST $B/api/bills/$BILL/payments -H "Idempotency-Key: pay-$BILL" \
  -d '{"method":"cash","amountCents":5000,"tipCents":500}'
# → 201 {"payment":{"appliedCents":3800,"tipCents":500,"changeCents":700,...},"bill":{"status":"paid",...}}

call $CASHIER $B/api/takings
# → {"date":"…","orders":1,"revenueCents":3800,"tipsCents":500,"byMethod":{"cash":4300,"card":0},...}
