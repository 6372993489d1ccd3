DROP TABLE elif_one_time_tokens;
