/**
 * The one rule three services share: an order's stock reservation has the order's id.
 *
 * Orders reserves and releases under it, the kitchen consumes under it (a ticket carries its
 * order's id), and inventory keys its reservation documents by it, so a repeated or crashed
 * placement finds the same reservation again instead of holding the stock twice.
 */
export function reservationOf(orderId: string): string {
  return orderId;
}
