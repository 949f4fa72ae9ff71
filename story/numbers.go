package story

// numberWords maps the small numbers that news writes out in words to
// digits, so that "four months", "на четыре месяца" and "4 ay" share the
// number 4. Only the forms a court or casualty report uses are listed.
// Azerbaijani words are read in text of no declared language too (many
// feeds declare none), but for "on", also an English word.
var numberWords = map[string]string{
	"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
	"eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
	"два": "2", "две": "2", "двух": "2", "двое": "2", "двоих": "2",
	"три": "3", "трёх": "3", "трех": "3", "трое": "3", "троих": "3",
	"четыре": "4", "четырёх": "4", "четырех": "4", "четверо": "4",
	"пять": "5", "пяти": "5", "пятеро": "5", "шесть": "6", "шести": "6",
	"семь": "7", "семи": "7", "семеро": "7", "семерых": "7",
	"восемь": "8", "восьми": "8", "девять": "9", "девяти": "9",
	"десять": "10", "десяти": "10", "одиннадцать": "11", "двенадцать": "12", "двенадцати": "12",
}

var azNumberWords = map[string]string{
	"iki": "2", "üç": "3", "dörd": "4", "beş": "5", "altı": "6", "yeddi": "7",
	"səkkiz": "8", "doqquz": "9", "on": "10",
}

// numberWord returns the digits of a lower-cased number word, or "".
func numberWord(w, lang string) string {
	if d, ok := numberWords[w]; ok {
		return d
	}
	if lang == "az" || (lang == "" && w != "on") {
		return azNumberWords[w]
	}
	return ""
}
