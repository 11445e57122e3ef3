// A media-provider provisioning server as a Go developer would write it from the vendor page:
// net/http and encoding/json only, everything in memory.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
	"strings"
	"sync"
)

type BasicConfig struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type Config struct {
	Basic  *BasicConfig `json:"basic,omitempty"`
	Bearer string       `json:"bearer,omitempty"`
}

type Provider struct {
	Name   string  `json:"name"`
	Type   string  `json:"type"`
	Config *Config `json:"config"`
}

type Server struct {
	mu        sync.Mutex
	tokens    map[string]string     // bot id -> API token
	providers map[string][]Provider // bot id -> its providers, in the order they were added
}

type apiError struct {
	Message string `json:"message"`
	Reason  string `json:"reason"`
}

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, message, reason string) {
	writeJSON(w, status, apiError{Message: message, Reason: reason})
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The only route: /whatsapp/v1/{bot-id}/provision/provider
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/whatsapp/v1/"), "/")
	if len(parts) != 3 || parts[1] != "provision" || parts[2] != "provider" {
		writeError(w, http.StatusNotFound, "Not found", "no such resource")
		return
	}
	botID := parts[0]

	token, ok := s.tokens[botID]
	if !ok || strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") != token {
		writeError(w, http.StatusUnauthorized, "Unauthorized", "invalid credentials for this bot")
		return
	}

	switch r.Method {
	case http.MethodGet:
		s.list(w, botID)
	case http.MethodPost:
		s.upsert(w, r, botID)
	case http.MethodDelete:
		s.mu.Lock()
		delete(s.providers, botID)
		s.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	default:
		writeError(w, http.StatusMethodNotAllowed, "Method not allowed", r.Method+" is not supported")
	}
}

func (s *Server) list(w http.ResponseWriter, botID string) {
	s.mu.Lock()
	providers := s.providers[botID]
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]interface{}{
		"settings": map[string]interface{}{
			"application": map[string]interface{}{
				"media": map[string]interface{}{"providers": providers},
			},
		},
	})
}

func (s *Server) upsert(w http.ResponseWriter, r *http.Request, botID string) {
	var p Provider
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		writeError(w, http.StatusBadRequest, "Invalid request body", err.Error())
		return
	}
	if msg := validate(p); msg != "" {
		writeError(w, http.StatusBadRequest, "Invalid provider", msg)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.providers[botID]
	for i := range list {
		if list[i].Name == p.Name { // reusing a name overwrites the previous entry
			list[i] = p
			w.WriteHeader(http.StatusOK)
			return
		}
	}
	s.providers[botID] = append(list, p)
	w.WriteHeader(http.StatusOK)
}

func validate(p Provider) string {
	switch {
	case p.Name == "":
		return "name is required"
	case p.Type != "www":
		return "type must be www"
	case p.Config == nil:
		return "config is required"
	case p.Config.Basic == nil && p.Config.Bearer == "":
		return "config needs basic or bearer"
	case p.Config.Basic != nil && (p.Config.Basic.Username == "" || p.Config.Basic.Password == ""):
		return "basic needs username and password"
	}
	return ""
}

// parseBots reads BOTS=bot-a:token-a,bot-b:token-b.
func parseBots(spec string) map[string]string {
	bots := map[string]string{}
	for _, pair := range strings.Split(spec, ",") {
		if id, token, ok := strings.Cut(pair, ":"); ok {
			bots[id] = token
		}
	}
	return bots
}

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	s := &Server{tokens: parseBots(os.Getenv("BOTS")), providers: map[string][]Provider{}}
	addr := "127.0.0.1:" + port
	log.Printf("listening on http://%s", addr)
	log.Fatal(http.ListenAndServe(addr, s))
}
