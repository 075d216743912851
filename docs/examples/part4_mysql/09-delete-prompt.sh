curl -s -w '\nHTTP %{http_code}\n' -X DELETE http://127.0.0.1:8000/prompts/3
