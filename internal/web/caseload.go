package web

// My caseload and finding a student.

func (s *server) caseloadRoutes() []route {
	return nil
}
