curl -s -w '\nHTTP %{http_code}\n' -X POST http://127.0.0.1:8000/prompts \
  -H 'Content-Type: application/json' \
  -d '{"name": "no such model", "template": "Hello", "model": "fake-error-404"}'
