// Package match decides which tracked topics a news item is about.
//
// Topics are boolean queries in the dialect journalists know from media
// monitoring tools. Compile parses them once into an immutable Matcher;
// Match analyses an item once (HTML to text, normalisation, tokens) and
// evaluates only the topics whose required words occur in it, in the
// manner of a percolator, so hundreds of topics cost little more than a
// few. A Matcher is safe for concurrent use.
//
// # Query language
//
//	query     = or_expr
//	or_expr   = and_expr { "OR" and_expr }
//	and_expr  = not_expr { [ "AND" ] not_expr }    juxtaposition means AND
//	not_expr  = ( "NOT" | "-" ) not_expr | near_expr  "-" is written against its operand
//	near_expr = operand { "NEAR/" n [ "f" ] operand }
//	operand   = [ field ":" ] atom
//	atom      = word [ "*" ] | '"' word [ "*" ] { word [ "*" ] } '"' | "(" or_expr ")"
//	field     = "title" | "summary" | "body" | "text"
//
// Precedence is NOT, then NEAR, then AND, then OR: `a OR b c` is
// `a OR (b AND c)`. Operators are upper case only, so "or" and "not" in a
// query are plain words.
//
//   - A word is split exactly like text: `J2-8243` is the phrase "j2 8243"
//     and matches "J2‑8243", "J2-8243" and "J2 8243".
//   - "Quoted words" must occur adjacent and in order, in one field.
//   - A trailing * matches any word beginning with the at least 3 letters
//     before it: `сафаров*` matches "сафаровых".
//   - A capitalised word is a name: it also matches the name in the other
//     scripts and its Russian and Azerbaijani case endings (see "Names"
//     below). `=Word` matches the word only as written; `=` may mark any
//     word, inside phrases too (`"=Sputnik V"`).
//   - a NEAR/n b matches when at most n words lie between a and b, in
//     either order and within one field; NEAR/nf requires a before b. Its
//     operands are words, phrases, OR-groups of them, or another NEAR.
//   - title: restricts the atom after it to the headline; summary: and body:
//     likewise; text: (the default) is all three.
//   - A query must require something: `NOT x` alone is rejected.
//
// Each topic may also list Exclude queries (any match vetoes the topic) and
// a MinTerms threshold of distinct query words that must occur.
//
// Examples:
//
//	Картавых OR Kartavykh OR (Belousov* NEAR/3 (Yevgeny OR Sputnik))
//	(AZAL OR "Azerbaijan Airlines") AND (crash* OR compensat*)
//	title:(Sputnik NEAR/1f Azerbaijan) -vaccine
//
// # Matching text
//
// Text and query words go through the same steps: HTML tags and
// script/style contents removed and entities decoded; NFKC; format
// characters such as the soft hyphen deleted; tokens are runs of letters,
// digits and combining marks (hyphens, apostrophes, typographic quotes and
// dashes are boundaries); each rune is lower-cased with unicode.ToLower,
// and ı and i, ё and е, ǝ and ə are folded together. Case never matters.
// A query word written without diacritics also matches text with them
// (`Seferov` matches "Səfərov"); a word written with diacritics must find
// them (`Səfərov` does not match "Safarov"). Cyrillic is never stripped of
// marks (й stays й).
//
// # Names
//
// A capitalised query word not marked `=` also matches when both it and
// the text's word fold to the same name key: a Latin skeleton of the word
// (Cyrillic by BGN/PCGN, Azerbaijani letters by their sound; a, e, ə one
// vowel; i, y, ı one; kh, x, х one; doubled letters once; a leading y
// before a vowel dropped) with Russian and Azerbaijani case endings cut
// (-а, -у, -ым, -ой, -ых…; -ın, -un, -a, -da, -dan, -lar…; English -s).
// So `Safarov` matches "Сафаров", "Səfərov", "Сафаровых", "Səfərovların";
// `Kartavykh` matches "Картавых", "Kartavıx", "Kartavıxın". A capitalised
// prefix (`Екатеринбург*`) matches words whose skeleton begins with its
// skeleton ("Yekaterinburq", "Yekaterinburg's"). Lower-case words match
// as written: they are common words, listed per language with "*". Names
// that fold differently (Гусейн ~ Huseyn, Karabakh ~ Qarabağ) still need
// listing, and Lint and Variants suggest missing spellings of names marked
// `=`.
package match
