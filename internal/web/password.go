package web

// passwordRoutes: not yet built.
func (s *server) passwordRoutes() []route { return nil }
