"""BatchScoreFunction: scores CSV and JSON Lines files uploaded to incoming/."""
