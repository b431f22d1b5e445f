// Replaced by the durable stores.
