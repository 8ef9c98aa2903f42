"""Common Danish first names and surnames, as data for the scrubber (app/domain/anonymise.py).

Source: the Danish person provider of Faker 40.54.0 (`faker/providers/person/da_DK`, MIT licence,
maintained on PyPI), copied here so the app needs no extra package at run time. Its surnames are
Danmarks Statistik's list of the most common surnames in Denmark, in that order; its first names are
common Danish given names. Names that are also ordinary Danish words are listed in
anonymise.ORDINARY: those count as a name only where written as one (see there).
"""

# fmt: off
FIRST_NAMES = (
    'Aage', 'Abelone', 'Adam', 'Agnes', 'Agnete', 'Aksel', 'Albert', 'Alberte', 'Alex',
    'Alexander', 'Alf', 'Allan', 'Alma', 'Alvin', 'Amalie', 'Amanda', 'Anders', 'Andrea',
    'Andreas', 'André', 'Ane', 'Anette', 'Anna', 'Anne', 'Annemette', 'Annette', 'Anton',
    'Arne', 'Asger', 'Asta', 'Astrid', 'August', 'Benedicte', 'Benedikte', 'Benjamin', 'Benny',
    'Bent', 'Bente', 'Benthe', 'Berit', 'Berta', 'Bertil', 'Bertram', 'Beth', 'Bettina',
    'Birger', 'Birgit', 'Birgitte', 'Birte', 'Birthe', 'Bitten', 'Bjarne', 'Bo', 'Bob', 'Bobby',
    'Bodil', 'Boe', 'Boris', 'Borris', 'Brian', 'Britt', 'Britta', 'Bruno', 'Bøje', 'Børge',
    'Camilla', 'Carina', 'Carl', 'Carla', 'Carlo', 'Caroline', 'Carsten', 'Casper', 'Cathrine',
    'Catrine', 'Cecilie', 'Charlotte', 'Christian', 'Christina', 'Christine', 'Christoffer',
    'Christopher', 'Cirkeline', 'Clara', 'Claus', 'Clavs', 'Connie', 'Conny', 'Curt', 'Dagmar',
    'Dagny', 'Dan', 'Daniel', 'Daniella', 'Danny', 'David', 'Dennis', 'Dina', 'Ditte', 'Doris',
    'Dorte', 'Dorthe', 'Ebbe', 'Edith', 'Einar', 'Einer', 'Elias', 'Elin', 'Elisabeth', 'Ella',
    'Ellen', 'Elna', 'Else', 'Elsebeth', 'Emil', 'Emilie', 'Emily', 'Emma', 'Eric', 'Erik',
    'Erling', 'Erna', 'Ernst', 'Esben', 'Esmarelda', 'Ester', 'Filippa', 'Finn', 'Flemming',
    'Frank', 'Frans', 'Freddy', 'Frede', 'Frederik', 'Frederikke', 'Freja', 'Frida', 'Frode',
    'Georg', 'George', 'Gerda', 'Gert', 'Gertrud', 'Gitte', 'Gorm', 'Grete', 'Grethe',
    'Gundhild', 'Gunhild', 'Gunnar', 'Gunner', 'Gurli', 'Gustav', 'Gyda', 'Hannah', 'Hanne',
    'Hans', 'Heidi', 'Helen', 'Helge', 'Helle', 'Henriette', 'Henrik', 'Henry', 'Herbert',
    'Herdis', 'Herman', 'Hjalte', 'Holger', 'Hugo', 'Ib', 'Iben', 'Ida', 'Inga', 'Inge',
    'Ingelise', 'Inger', 'Ingrid', 'Irma', 'Isabella', 'Ivan', 'Iver', 'Jack', 'Jacob',
    'Jacobine', 'Jacqueline', 'Jakob', 'James', 'Jan', 'Janne', 'Janni', 'Jannie', 'Jano',
    'Jarl', 'Jasmin', 'Jean', 'Jenny', 'Jens', 'Jeppe', 'Jesper', 'Jim', 'Jimmy', 'Joachim',
    'Joakim', 'Joan', 'Johan', 'Johanne', 'Johannes', 'John', 'Johnnie', 'Johnny', 'Jon',
    'Jonas', 'Jonathan', 'Jonna', 'Josefine', 'Josephine', 'Julie', 'Julius', 'Justina',
    'Jytte', 'Jørgen', 'Karen', 'Karin', 'Karina', 'Karl', 'Karla', 'Karlo', 'Karoline',
    'Karsten', 'Kaspar', 'Kasper', 'Katcha', 'Katja', 'Katrine', 'Keld', 'Ken', 'Kenn',
    'Kenneth', 'Kenny', 'Kent', 'Kim', 'Kirsten', 'Kirstin', 'Kirstine', 'Kjeld', 'Klara',
    'Klaus', 'Klavs', 'Kristian', 'Kristina', 'Kristine', 'Kurt', 'Kåre', 'Lars', 'Lasse',
    'Laura', 'Laurits', 'Laus', 'Laust', 'Lea', 'Leif', 'Lena', 'Lene', 'Lennarth', 'Leonora',
    'Line', 'Liva', 'Lona', 'Lone', 'Lotte', 'Louise', 'Lucas', 'Ludvig', 'Lærke', 'Mads',
    'Magnus', 'Maiken', 'Maja', 'Majken', 'Malene', 'Malou', 'Malthe', 'Marcus', 'Maren',
    'Margit', 'Margrethe', 'Maria', 'Marianne', 'Marie', 'Marius', 'Mark', 'Marlene', 'Martin',
    'Mathias', 'Mathilde', 'Matthias', 'Maya', 'Merete', 'Merethe', 'Mette', 'Mia', 'Michael',
    'Michala', 'Michelle', 'Mie', 'Mik', 'Mikael', 'Mike', 'Mikkel', 'Mille', 'Mimi', 'Minna',
    'Mogens', 'Morten', 'Nadia', 'Naja', 'Nana', 'Nanna', 'Nanni', 'Natasha', 'Natasja', 'Nete',
    'Nick', 'Nicklas', 'Nicolai', 'Nicolaj', 'Nicoline', 'Niels', 'Nikolai', 'Nikolaj', 'Nils',
    'Nina', 'Noah', 'Nora', 'Oda', 'Odeline', 'Odette', 'Ofelia', 'Ole', 'Olfert', 'Olga',
    'Oliver', 'Olivia', 'Oscar', 'Oskar', 'Osvald', 'Otto', 'Ove', 'Palle', 'Patricia',
    'Patrick', 'Paul', 'Paula', 'Paulina', 'Paw', 'Peder', 'Per', 'Pernille', 'Pete', 'Peter',
    'Philip', 'Pia', 'Poul', 'Preben', 'Ragna', 'Ragnar', 'Ragner', 'Ragnhild', 'Randi',
    'Rasmus', 'Rebecca', 'Regitse', 'Regitze', 'René', 'Richard', 'Richardt', 'Rikke', 'Rita',
    'Ritt', 'Robert', 'Robin', 'Rolf', 'Ron', 'Ronja', 'Ronni', 'Ronnie', 'Ronny', 'Rosa',
    'Ruben', 'Rune', 'Ruth', 'Sabine', 'Sam', 'Sandra', 'Sanne', 'Sara', 'Sarah', 'Sebastian',
    'Selma', 'Signe', 'Sigrid', 'Silas', 'Silje', 'Sille', 'Simon', 'Simone', 'Sine', 'Sofia',
    'Sofie', 'Solveig', 'Solvej', 'Sonja', 'Sonny', 'Sophie', 'Steen', 'Stefan', 'Sten',
    'Stephan', 'Steve', 'Steven', 'Stig', 'Stina', 'Stine', 'Susanne', 'Sussanne', 'Sussie',
    'Svenning', 'Sys', 'Søren', 'Sørine', 'Søs', 'Tage', 'Tammy', 'Tanja', 'Tejs', 'Thea',
    'Thomas', 'Tilde', 'Tim', 'Timmy', 'Tina', 'Tine', 'Tobias', 'Tom', 'Tommy', 'Tonny',
    'Torben', 'Tove', 'Trine', 'Troels', 'Uffe', 'Ulf', 'Ulla', 'Ulrik', 'Ulrike', 'Ursula',
    'Vagn', 'Valdemar', 'Vera', 'Verner', 'Victor', 'Victoria', 'Villads', 'Viola', 'Vivian',
    'Weena', 'Werner', 'William', 'Winni', 'Winnie', 'Xenia', 'Yan', 'Yannick', 'Yasmin', 'Yda',
    'Yngve', 'Yrsa', 'Yvonne', 'Zacharias', 'Zahra', 'Zara', 'Zehnia', 'Zelma', 'Zenia',
    'Ziggy', 'Åbjørn', 'Åge', 'Åse', 'Øivind', 'Øjvind', 'Ørni', 'Øvli', 'Øystein', 'Øyvind',
)

SURNAMES = (
    'Jensen', 'Nielsen', 'Hansen', 'Pedersen', 'Andersen', 'Christensen', 'Larsen', 'Sørensen',
    'Rasmussen', 'Petersen', 'Jørgensen', 'Madsen', 'Kristensen', 'Olsen', 'Christiansen',
    'Thomsen', 'Poulsen', 'Johansen', 'Knudsen', 'Mortensen', 'Møller', 'Jacobsen', 'Jakobsen',
    'Olesen', 'Frederiksen', 'Mikkelsen', 'Henriksen', 'Laursen', 'Lund', 'Schmidt', 'Eriksen',
    'Holm', 'Kristiansen', 'Clausen', 'Simonsen', 'Svendsen', 'Andreasen', 'Iversen',
    'Jeppesen', 'Mogensen', 'Jespersen', 'Nissen', 'Lauridsen', 'Frandsen', 'Østergaard',
    'Jepsen', 'Kjær', 'Carlsen', 'Vestergaard', 'Jessen', 'Nørgaard', 'Dahl', 'Christoffersen',
    'Skov', 'Søndergaard', 'Bertelsen', 'Bruun', 'Lassen', 'Bach', 'Gregersen', 'Friis',
    'Johnsen', 'Steffensen', 'Kjeldsen', 'Bech', 'Krogh', 'Lauritsen', 'Danielsen', 'Mathiesen',
    'Andresen', 'Brandt', 'Winther', 'Toft', 'Ravn', 'Mathiasen', 'Dam', 'Holst', 'Nilsson',
    'Lind', 'Berg', 'Schou', 'Overgaard', 'Kristoffersen', 'Schultz', 'Klausen', 'Karlsen',
    'Paulsen', 'Hermansen', 'Thorsen', 'Koch', 'Thygesen',
)
# fmt: on

# Added by hand: common Danish first names the source lacks (the scrubber's own tests plant them).
MORE_FIRST_NAMES = ("Bjørn", "Eva", "Ingeborg", "Jette", "Knud", "Lise", "Svend", "Vibeke")
