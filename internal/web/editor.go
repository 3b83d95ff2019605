package web

// The plan editor.

func (s *server) editorRoutes() []route {
	return nil
}
