curl -s -w '\nHTTP %{http_code}\n' -N -X POST http://127.0.0.1:8000/prompts/3/generate/stream \
  -H 'Content-Type: application/json' \
  -d '{"variables": {}}'
