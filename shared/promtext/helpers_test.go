package promtext

import "github.com/redis/go-redis/v9"

func newClient(o *redis.Options) *redis.Client { return redis.NewClient(o) }
