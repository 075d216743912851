curl -s -w '\nHTTP %{http_code}\n' -X POST http://127.0.0.1:8000/prompts \
  -H 'Content-Type: application/json' \
  -d '{"name": "Résumé 📝", "template": "Résume en français 🇫🇷 : {text}", "temperature": 0.30000000000000004}'
