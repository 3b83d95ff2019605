package web

// The district dashboard.

func (s *server) dashboardRoutes() []route {
	return nil
}
