package web

// familyPlanRoutes: placeholder until the feature lands.
func (s *server) familyPlanRoutes() []route { return nil }
