package web

// adminRoutes: not yet built.
func (s *server) adminRoutes() []route { return nil }
