package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"text/tabwriter"
	"time"
)

// mailCommand lists what the running devstack's Mailpit received.
func mailCommand() error {
	resp, err := http.Get("http://" + defaultMailpitAddr + "/api/v1/messages?limit=50")
	if err != nil {
		return fmt.Errorf("mailpit on %s: %w (is make dev running?)", defaultMailpitAddr, err)
	}
	defer resp.Body.Close()
	var out struct {
		Total    int `json:"total"`
		Messages []struct {
			Created time.Time `json:"Created"`
			Subject string    `json:"Subject"`
			To      []struct {
				Address string `json:"Address"`
			} `json:"To"`
		} `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return fmt.Errorf("mailpit: %w", err)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "RECEIVED\tTO\tSUBJECT\n")
	for _, m := range out.Messages {
		to := ""
		if len(m.To) > 0 {
			to = m.To[0].Address
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", m.Created.Local().Format("15:04:05"), to, m.Subject)
	}
	fmt.Fprintf(w, "(%d in all; the newest first)\n", out.Total)
	return w.Flush()
}

// redriveCommand asks the running devstack's API to move the dead letters
// back to the events queue.
func redriveCommand(apiURL, adminKey string) error {
	req, _ := http.NewRequest("POST", apiURL+"/v1/admin/queues/events/redrive", nil)
	req.Header.Set("Authorization", "Bearer "+adminKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("api on %s: %w (is make dev running?)", apiURL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Printf("%d %s\n", resp.StatusCode, body)
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("redrive refused")
	}
	return nil
}
