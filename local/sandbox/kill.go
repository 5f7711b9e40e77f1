package sandbox

// Kill ends every process of the pool at once, busy or idle, as a failed
// host would, and returns how many it ended. An invocation in progress
// fails with Runtime.ExitError; the pool stays open, and the next
// invocation starts a fresh environment. Tests use it to crash a function
// in the middle of its work.
func (p *Pool) Kill() int {
	p.mu.Lock()
	envs := make([]*env, 0, len(p.live))
	for e := range p.live {
		envs = append(envs, e)
	}
	p.mu.Unlock()
	for _, e := range envs {
		e.kill()
	}
	return len(envs)
}
