package cases

import (
	"errors"
	"time"
)

// Helpers shared by the cases of this package. Nothing here may be reported.

type Config struct{ Path string }

type result struct {
	body string
	err  error
}

var errTimeout = errors.New("timeout")

func fetch(url string) string { return url }

func validate(path string) error {
	if path == "/" {
		return errors.New("root")
	}
	return nil
}

func slowQuery(q string) result {
	time.Sleep(time.Millisecond)
	return result{body: q}
}
