package web

// Team, meetings, prior written notice and the proposal.

func (s *server) meetingRoutes() []route {
	return nil
}
