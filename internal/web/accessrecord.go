package web

// accessRecordRoutes: not yet built.
func (s *server) accessRecordRoutes() []route { return nil }
