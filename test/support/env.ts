// Every test process starts from the embedded defaults, quietly, with an in-memory store.
process.env.NODE_ENV = "test";
process.env.LOG_LEVEL ??= "warn";
process.env.BRIGADE_SEED ??= "false";
