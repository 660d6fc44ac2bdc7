mod http_cases;
