curl -s -w '\nHTTP %{http_code}\n' 'http://127.0.0.1:8000/search?q=How+do+I+stop+a+stream+when+the+user+leaves%3F&k=2'
