curl -s -w '\nHTTP %{http_code}\n' -X POST http://127.0.0.1:8000/ask \
  -H 'Content-Type: application/json' \
  -d '{"question": "How do I stop a stream when the user leaves?", "k": 1}'
