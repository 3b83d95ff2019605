package web

// familyRespondRoutes: placeholder until the feature lands.
func (s *server) familyRespondRoutes() []route { return nil }
