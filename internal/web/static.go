package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static/*.css static/*.js
var staticFS embed.FS

// asset is one embedded static file, served under a name that carries its content hash.
type asset struct {
	data        []byte
	contentType string
}

// assets maps the embedded files to content-addressed URLs: "app.css" is served as
// "/static/app.<hash>.css". A changed file gets a new URL, so browsers may cache every URL for a
// year.
type assets struct {
	byHashed map[string]asset  // "app.1a2b3c4d5e.css" → file
	urls     map[string]string // "app.css" → "/static/app.1a2b3c4d5e.css"
}

func loadAssets() (*assets, error) {
	a := &assets{byHashed: map[string]asset{}, urls: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := path.Base(p)
		sum := sha256.Sum256(data)
		base, ext := splitExt(name)
		hashed := base + "." + hex.EncodeToString(sum[:5]) + ext
		a.byHashed[hashed] = asset{data: data, contentType: contentType(ext)}
		a.urls[name] = "/static/" + hashed
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load static assets: %w", err)
	}
	return a, nil
}

// URL returns the content-hash URL of an embedded file, or "" for an unknown name.
func (a *assets) URL(name string) string { return a.urls[name] }

// splitExt splits "htmx.min.js" into "htmx.min" and ".js".
func splitExt(name string) (string, string) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return name, ""
	}
	return name[:i], name[i:]
}

func contentType(ext string) string {
	switch ext {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// serveStatic serves GET /static/{name}: a content-hash name is cached for a year; any other
// name is not found, so that a stale URL never serves a file that changed under it.
func (s *server) serveStatic(w http.ResponseWriter, r *http.Request) error {
	a, ok := s.assets.byHashed[r.PathValue("name")]
	if !ok {
		return errNotFound
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.data))
	return nil
}
