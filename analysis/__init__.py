"""Pure pandas survey-bias analysis: no web, ORM or app imports."""
