package web

// ssoRoutes: not yet built.
func (s *server) ssoRoutes() []route { return nil }
