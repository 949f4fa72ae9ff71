package pgstate

const senderChildEnv = "PGSTATE_TEST_SENDER_URL"

func holdSenderUntilKilled(string) int { return 0 }
