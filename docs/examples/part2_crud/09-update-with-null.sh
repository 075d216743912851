curl -s -w '\nHTTP %{http_code}\n' -X PATCH http://127.0.0.1:8000/prompts/1 \
  -H 'Content-Type: application/json' \
  -d '{"model": null}'
