package compat

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readmeSnippet is the code block after the bold label in the README section, as a reader copies it.
func readmeSnippet(t *testing.T, section, label string) string {
	t.Helper()
	raw, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	start := strings.Index(text, "\n## "+section+"\n")
	if start < 0 {
		t.Fatalf("README has no section %q", section)
	}
	at := strings.Index(text[start:], "\n"+label)
	if at < 0 {
		t.Fatalf("README section %q has no %s", section, label)
	}
	at += start
	fence := strings.Index(text[at:], "```") + at
	body := strings.Index(text[fence:], "\n") + fence + 1
	end := strings.Index(text[body:], "\n```") + body
	return text[body : end+1]
}

// The README's Go snippet, run as written: it becomes the body of main, with only CONN filled in.
func TestReadmeGoSnippetRunsAsWritten(t *testing.T) {
	snippet := readmeSnippet(t, "SDK snippets", "**Go**")
	if !strings.Contains(snippet, `client.NewSender("queue.1", nil)`) {
		t.Fatalf("the snippet no longer sends to queue.1:\n%s", snippet)
	}
	// The snippet addresses queue.1 of the default configuration; this emulator starts without entities.
	a := newAdmin(t)
	if q, err := a.GetQueue(ctxFor(t, 10*time.Second), "queue.1", nil); err != nil || q == nil {
		if _, err := a.CreateQueue(ctxFor(t, 10*time.Second), "queue.1", nil); err != nil {
			t.Fatal(err)
		}
	}

	// Inside the module, so the SDK resolves from go.mod; "_" keeps it out of ./... patterns.
	dir, err := os.MkdirTemp(".", "_readme_snippet_")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	program := "package main\n\nimport (\n\t\"context\"\n\t\"fmt\"\n\n\t\"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus\"\n)\n\n" +
		"const CONN = " + strconv.Quote(connectionString()) + "\n\nfunc main() {\n" + snippet + "}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run := exec.CommandContext(ctx, "go", "run", "./"+filepath.Base(dir))
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("go run: %v\n%s\n--- program ---\n%s", err, out, program)
	}
	if !strings.Contains(string(out), "hello") {
		t.Fatalf("the snippet did not print the message it sent:\n%s", out)
	}
}
