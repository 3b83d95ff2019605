package web

// Calendar administration.

func (s *server) calendarRoutes() []route {
	return nil
}
