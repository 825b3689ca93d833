package bot

import (
	"errors"
	"strings"
	"testing"
)

func TestAdmissionTryAcquire(t *testing.T) {
	t.Parallel()
	a := NewAdmission(2, 2)
	_, release1, ok1 := a.TryAcquire(t.Context())
	_, _, ok2 := a.TryAcquire(t.Context())
	if !ok1 || !ok2 {
		t.Fatal("two free places not acquired")
	}
	if _, _, ok := a.TryAcquire(t.Context()); ok {
		t.Fatal("third place acquired with 2 active: TryAcquire must not wait in the queue")
	}
	release1()
	if _, _, ok := a.TryAcquire(t.Context()); !ok {
		t.Fatal("released place not acquired")
	}
}

// TestAdmissionHeldContext: work done under the context TryAcquire
// returns is not admitted twice, so a frontend holding every place can
// still call into the Core; any other context waits, then is refused.
func TestAdmissionHeldContext(t *testing.T) {
	t.Parallel()
	a := NewAdmission(1, 0)
	held, release, ok := a.TryAcquire(t.Context())
	if !ok {
		t.Fatal("a free place not acquired")
	}
	again, err := a.Acquire(held)
	if err != nil {
		t.Fatalf("Acquire under the held context: %v", err)
	}
	again() // does nothing: the place is still held
	if _, err := a.Acquire(t.Context()); !errors.Is(err, errBusy) || !strings.Contains(UserMessage(err), "too many requests") {
		t.Errorf("Acquire with every place held and no waiting room: %v, want errBusy with a friendly message", err)
	}
	other := NewAdmission(1, 0)
	if _, _, ok := other.TryAcquire(t.Context()); !ok {
		t.Fatal("a free place of another Admission not acquired")
	}
	if _, err := other.Acquire(held); !errors.Is(err, errBusy) {
		t.Errorf("a context holding a place of one Admission was admitted by another, full one: %v", err)
	}
	release()
	got, err := a.Acquire(t.Context())
	if err != nil {
		t.Fatalf("Acquire after release: %v", err)
	}
	got()
}
