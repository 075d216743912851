curl -s -w '\nHTTP %{http_code}\n' -X POST http://127.0.0.1:8000/generate \
  -H 'Content-Type: application/json' \
  -d '{"prompt": "Explain FastAPI in one sentence."}'
