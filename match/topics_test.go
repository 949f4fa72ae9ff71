package match

import (
	"slices"
	"testing"
)

// TestShippedTopicsExamples runs the shipped topics on invented items in
// the corpus's style, one per trap the topics are written to avoid and
// per spelling they must catch, beyond the labelled corpus.
func TestShippedTopicsExamples(t *testing.T) {
	m, err := Compile(shippedTopics(t))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		item Item
		want []string
	}{
		{"short item: the city, the country and the deaths",
			Item{Title: "Azerbaijan condemns deaths in Yekaterinburg police raid", Summary: "Baku summoned the Russian ambassador."},
			[]string{"yekaterinburg-case"}},
		{"short item: compatriots in azerbaijani",
			Item{Title: "Yekaterinburqda həlak olan soydaşlarımızın ailələrinə yardım"},
			[]string{"yekaterinburg-case"}},
		{"short item: azerbaijani brothers, no names",
			Item{Title: "Russia charges police officers over deaths of Azerbaijani brothers"},
			[]string{"yekaterinburg-case"}},
		{"short item: the surname and an autopsy",
			Item{Title: "Second autopsy of Safarovs contradicts Russian version"},
			[]string{"yekaterinburg-case"}},
		{"ural airlines to baku",
			Item{Title: "Ural Airlines flight from Yekaterinburg to Baku lands safely", Summary: "Nobody was killed or injured, the airline said."},
			nil},
		{"the defence minister belousov",
			Item{Title: "Defence Minister Andrei Belousov visits Baku", Summary: "He met his Azerbaijani counterpart."},
			nil},
		{"sputnik's editor detained, agency and city apart",
			Item{Title: "Baku court extends detention of Russian journalists", Summary: "The director and editor of the Sputnik bureau remain in custody."},
			[]string{"sputnik-detainees"}},
		{"safarov brothers in azerbaijani without diacritics",
			Item{Title: "Seferov qardaslarinin olumu ile bagli cinayet isi", Body: "Yekaterinburqda saxlanilan Ziyeddin ve Huseyn Seferov helak olub."},
			[]string{"yekaterinburg-case"}},
		{"russian inflected names",
			Item{Title: "Суд отказал родственникам Сафаровых", Body: "Братья Зияддин и Гусейн Сафаровы погибли после задержания."},
			[]string{"yekaterinburg-case"}},
		{"azerbaijani detained in yekaterinburg for drugs",
			Item{Title: "В Екатеринбурге задержан уроженец Азербайджана с партией наркотиков", Body: "Полиция задержала мужчину на рынке."},
			nil},
		{"fc ural against an azerbaijani club",
			Item{Title: "«Урал» сыграл вничью с «Карабахом»", Body: "Футбольный матч в Екатеринбурге. Азербайджанский клуб погиб в атаке — шутят болельщики."},
			nil},
		{"ramil safarov",
			Item{Title: "Ramil Safarov speaks at a Baku event", Body: "Safarov and his brother attended."},
			nil},
		{"kartavykh in azerbaijani",
			Item{Title: "İqor Kartavıx ev dustaqlığına buraxılıb"},
			[]string{"sputnik-detainees"}},
		{"sputnik azerbaijan as a byline",
			Item{Title: "AZAL adds flights to Sochi", Body: "Azerbaijan Airlines will fly daily, Sputnik Azerbaijan reported."},
			nil},
		{"sputnik v in azerbaijan",
			Item{Title: "Sputnik V vaccine deliveries to Azerbaijan resume", Body: "Baku health officials said journalists were invited."},
			nil},
		{"sputnik journalists in court, agency named in russian",
			Item{Title: "Суд в Баку продлил арест сотрудникам «Спутника»", Body: "Журналисты агентства «Спутник Азербайджан» остаются в СИЗО."},
			[]string{"sputnik-detainees"}},
		{"azal delayed flight compensation",
			Item{Title: "AZAL to compensate passengers of delayed Moscow flight", Body: "Azerbaijan Airlines apologised to passengers for a 10-hour delay in Moscow."},
			nil},
		{"azal fleet",
			Item{Title: "AZAL takes delivery of its third Embraer 190", Body: "The jet joins the fleet in Baku."},
			nil},
		{"crash compensation without the airline's name",
			Item{Title: "Families of Grozny plane crash victims receive Russian payments", Body: "The Azerbaijani plane was hit by air defence fire before crashing near Aktau."},
			[]string{"azal-compensation"}},
		{"another crash with compensation",
			Item{Title: "Airline pays compensation to families of crash victims in Nepal", Body: "The plane crashed on approach."},
			nil},
		{"roundup of all three",
			Item{Body: "Russia and Azerbaijan: the AZAL crash near Aktau, the deaths of the Safarov brothers, and the arrest of Igor Kartavykh."},
			[]string{"yekaterinburg-case", "sputnik-detainees", "azal-compensation"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, h := range m.Match(tc.item) {
				got = append(got, h.Topic)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("topics = %q, want %q", got, tc.want)
				for _, e := range m.Explain(tc.item) {
					if e.QueryMatched {
						t.Log(e)
					}
				}
			}
		})
	}
}
