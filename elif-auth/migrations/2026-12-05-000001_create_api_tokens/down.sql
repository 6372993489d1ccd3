DROP TABLE elif_api_tokens;
