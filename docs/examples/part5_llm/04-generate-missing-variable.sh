curl -s -w '\nHTTP %{http_code}\n' -X POST http://127.0.0.1:8000/prompts/1/generate \
  -H 'Content-Type: application/json' \
  -d '{"variables": {}}'
