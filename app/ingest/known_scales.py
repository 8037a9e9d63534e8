"""The ordered label scales survey tools and people use, worst first, in the languages seen."""

from app.ingest.scales import Scale


def labelled(name: str, *labels: str) -> Scale:
    return Scale(name=name, labels=labels)


KNOWN_SCALES: tuple[Scale, ...] = (
    labelled("quality", "Poor", "Fair", "Good", "Very good", "Excellent"),
    labelled(
        "satisfaction",
        "Very dissatisfied",
        "Dissatisfied",
        "Neutral",
        "Satisfied",
        "Very satisfied",
    ),
    labelled(
        "satisfaction",
        "Very dissatisfied",
        "Dissatisfied",
        "Neither satisfied nor dissatisfied",
        "Satisfied",
        "Very satisfied",
    ),
    labelled(
        "agreement",
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ),
    labelled("agreement", "Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"),
    labelled("quality", "Very poor", "Poor", "Fair", "Good", "Very good"),
    labelled("quality", "Very poor", "Poor", "Average", "Good", "Excellent"),
    labelled("quality", "Terrible", "Poor", "Average", "Good", "Excellent"),
    labelled(
        "satisfaction",
        "Extremely dissatisfied",
        "Moderately dissatisfied",
        "Slightly dissatisfied",
        "Neither satisfied nor dissatisfied",
        "Slightly satisfied",
        "Moderately satisfied",
        "Extremely satisfied",
    ),
    labelled(
        "satisfaction",
        "Extremely dissatisfied",
        "Somewhat dissatisfied",
        "Neither satisfied nor dissatisfied",
        "Somewhat satisfied",
        "Extremely satisfied",
    ),
    labelled(
        "agreement",
        "Strongly disagree",
        "Disagree",
        "Somewhat disagree",
        "Neither agree nor disagree",
        "Somewhat agree",
        "Agree",
        "Strongly agree",
    ),
    labelled(
        "agreement",
        "Strongly disagree",
        "Somewhat disagree",
        "Neither agree nor disagree",
        "Somewhat agree",
        "Strongly agree",
    ),
    labelled("likelihood", "Very unlikely", "Unlikely", "Neutral", "Likely", "Very likely"),
    labelled("quality", "Very bad", "Bad", "Neutral", "Good", "Very good"),
    labelled("quality", "Poor", "Fair", "Good", "Excellent"),
    labelled("agreement", "Strongly disagree", "Disagree", "Agree", "Strongly agree"),
    labelled("satisfaction", "Very dissatisfied", "Dissatisfied", "Satisfied", "Very satisfied"),
    labelled(
        "satisfaction",
        "Not at all satisfied",
        "Slightly satisfied",
        "Moderately satisfied",
        "Very satisfied",
        "Extremely satisfied",
    ),
    # French
    labelled(
        "agreement",
        "Pas du tout d'accord",
        "Pas d'accord",
        "Ni d'accord ni pas d'accord",
        "D'accord",
        "Tout à fait d'accord",
    ),
    labelled(
        "agreement",
        "Pas du tout d'accord",
        "Plutôt pas d'accord",
        "Plutôt d'accord",
        "Tout à fait d'accord",
    ),
    labelled(
        "satisfaction", "Très insatisfait", "Insatisfait", "Neutre", "Satisfait", "Très satisfait"
    ),
    labelled(
        "satisfaction", "Pas du tout satisfait", "Peu satisfait", "Satisfait", "Très satisfait"
    ),
    labelled("quality", "Très mauvais", "Mauvais", "Moyen", "Bon", "Très bon"),
    labelled("quality", "Mauvais", "Passable", "Bon", "Très bon", "Excellent"),
    # German
    labelled(
        "agreement",
        "Stimme überhaupt nicht zu",
        "Stimme nicht zu",
        "Weder noch",
        "Stimme zu",
        "Stimme voll und ganz zu",
    ),
    labelled(
        "agreement",
        "Stimme überhaupt nicht zu",
        "Stimme eher nicht zu",
        "Teils/teils",
        "Stimme eher zu",
        "Stimme voll und ganz zu",
    ),
    labelled(
        "satisfaction", "Sehr unzufrieden", "Unzufrieden", "Neutral", "Zufrieden", "Sehr zufrieden"
    ),
    labelled(
        "satisfaction",
        "Sehr unzufrieden",
        "Eher unzufrieden",
        "Teils/teils",
        "Eher zufrieden",
        "Sehr zufrieden",
    ),
    labelled("quality", "Sehr schlecht", "Schlecht", "Mittelmäßig", "Gut", "Sehr gut"),
    labelled("quality", "Mangelhaft", "Ausreichend", "Befriedigend", "Gut", "Sehr gut"),
    # Spanish
    labelled(
        "agreement",
        "Totalmente en desacuerdo",
        "En desacuerdo",
        "Ni de acuerdo ni en desacuerdo",
        "De acuerdo",
        "Totalmente de acuerdo",
    ),
    labelled(
        "satisfaction",
        "Muy insatisfecho",
        "Insatisfecho",
        "Neutral",
        "Satisfecho",
        "Muy satisfecho",
    ),
    labelled("quality", "Muy malo", "Malo", "Regular", "Bueno", "Muy bueno"),
    labelled("quality", "Malo", "Regular", "Bueno", "Muy bueno", "Excelente"),
    # Dutch
    labelled("agreement", "Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"),
    labelled("agreement", "Zeer oneens", "Oneens", "Neutraal", "Eens", "Zeer eens"),
    labelled(
        "satisfaction", "Zeer ontevreden", "Ontevreden", "Neutraal", "Tevreden", "Zeer tevreden"
    ),
    labelled("quality", "Slecht", "Matig", "Voldoende", "Goed", "Uitstekend"),
    labelled("quality", "Zeer slecht", "Slecht", "Neutraal", "Goed", "Zeer goed"),
    # Portuguese
    labelled(
        "agreement",
        "Discordo totalmente",
        "Discordo",
        "Não concordo nem discordo",
        "Concordo",
        "Concordo totalmente",
    ),
    labelled(
        "agreement",
        "Discordo totalmente",
        "Discordo parcialmente",
        "Não concordo nem discordo",
        "Concordo parcialmente",
        "Concordo totalmente",
    ),
    labelled(
        "satisfaction",
        "Muito insatisfeito",
        "Insatisfeito",
        "Neutro",
        "Satisfeito",
        "Muito satisfeito",
    ),
    labelled("quality", "Muito ruim", "Ruim", "Regular", "Bom", "Muito bom"),
    labelled("quality", "Péssimo", "Ruim", "Regular", "Bom", "Ótimo"),
)
