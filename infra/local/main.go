// Command local is Fidelio's local stack: one process that serves every HTTP
// route of template.yaml through the same handlers the Lambda functions run
// (request -> API Gateway v2 event -> handler -> response), on the embedded
// store or on DynamoDB (Local).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/fidelio/fidelio/infra/local/stack"
)

func main() {
	o, schedules, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, schedules); err != nil {
		log.Fatal(err)
	}
}

// parseFlags reads the command line into the stack's options and whether to
// run the template's schedules.
func parseFlags(args []string) (stack.Options, bool, error) {
	var o stack.Options
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&o.DataDir, "data", ".fidelio", "folder for the bbolt file and the generated dev secrets")
	fs.StringVar(&o.Store, "store", "embedded", "store: embedded or dynamodb")
	fs.StringVar(&o.DynamoDBEndpoint, "dynamodb-endpoint", os.Getenv("FIDELIO_DYNAMODB_ENDPOINT"), "DynamoDB endpoint, such as DynamoDB Local's (-store dynamodb)")
	fs.StringVar(&o.Table, "table", "fidelio", "DynamoDB table, created when missing (-store dynamodb)")
	fs.StringVar(&o.Template, "template", "template.yaml", "the SAM template whose routes are served")
	fs.BoolVar(&o.Demo, "demo", false, "seed a demo program: rewards and two stores with staff keys")
	fs.BoolVar(&o.TimeTravel, "time-travel", false, "let POST /v1/admin/jobs/{name}/runs run a job as at a future instant (development and tests only)")
	schedules := fs.Bool("schedules", true, "run the template's schedules (birthdays, expiry, tier review) when they fall due")
	err := fs.Parse(args)
	return o, *schedules, err
}

func run(ctx context.Context, o stack.Options, schedules bool) error {
	if o.PublicURL == "" {
		o.PublicURL = "http://" + o.Addr
	}
	st, err := stack.New(ctx, o)
	if err != nil {
		return err
	}
	defer st.Close()
	srv := &http.Server{Addr: o.Addr, Handler: st, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	fmt.Print(st.Welcome())
	if schedules {
		go st.RunSchedules(ctx)
	}
	go st.RunUpdater(ctx)
	go st.RunCampaigns(ctx)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}
