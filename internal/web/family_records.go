package web

// familyRecordsRoutes: placeholder until the feature lands.
func (s *server) familyRecordsRoutes() []route { return nil }
