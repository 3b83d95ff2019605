package web

// Goal and accommodation banks.

func (s *server) bankRoutes() []route {
	return nil
}
