// Every test process starts from the embedded defaults, quietly, with an in-memory store.
process.env.NODE_ENV = "test";
process.env.LOG_LEVEL ??= "warn";
process.env.BRIGADE_SEED ??= "false";
// Tests poll the API far faster than any client; suites about rate limits set their own limits.
process.env.RATE_LIMIT_REQUESTS ??= "1000000";
