package metrics

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check is one condition of readiness: nil when it holds, else why not.
type Check struct {
	Name  string
	Check func(ctx context.Context) error
}

// GatewayCheck is ready while m's Discord gateway is connected.
func (m *Metrics) GatewayCheck() Check {
	return Check{Name: "discord gateway", Check: func(context.Context) error {
		if !m.Connected() {
			return fmt.Errorf("not connected")
		}
		return nil
	}}
}

// Handler serves /healthz (200 while the process runs), /readyz (200 when
// every check holds, else 503 naming the first that does not) and
// /metrics (the Prometheus text format).
func (m *Metrics) Handler(ready ...Check) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		for _, c := range ready {
			if err := c.Check(ctx); err != nil {
				m.log.Info("not ready", "check", c.Name, "err", err)
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintf(w, "not ready: %s: %v\n", c.Name, err)
				return
			}
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: slogPrinter{m}}))
	return mux
}

// slogPrinter sends promhttp's errors to the log.
type slogPrinter struct{ m *Metrics }

func (p slogPrinter) Println(v ...any) {
	p.m.log.Warn("metrics: serving /metrics", "err", fmt.Sprint(v...))
}
