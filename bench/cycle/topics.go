package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
)

// Words for generated topics: ordinary news vocabulary in English and
// Russian, so generated queries hit the synthetic text about as often as a
// newsroom's topics hit real news.
var (
	topicWordsEN = strings.Fields(`minister talks agreement court hearing investigation airline flight crash
		compensation embassy border trade energy pipeline prices budget parliament election protest police
		detained journalists editor agency interview president governor mayor strike factory railway airport
		harvest flood earthquake hospital vaccine university festival football sanctions summit ceasefire`)
	topicWordsRU = strings.Fields(`министр переговоры соглашение суд заседание расследование авиакомпания рейс
		крушение компенсация посольство граница торговля трубопровод бюджет парламент выборы протест полиция
		задержаны журналисты редактор агентство президент губернатор забастовка завод аэропорт урожай
		наводнение больница университет фестиваль футбол санкции саммит перемирие`)
	topicPlaces = strings.Fields(`Baku Moscow Tbilisi Yerevan Ganja Kazan Astana Ankara Tehran Geneva Vienna
		Istanbul Novosibirsk Rostov Samara Batumi Баку Москва Тбилиси Ереван Казань Астана Анкара Тегеран`)
)

// topicsYAML returns the shipped topics (read from config.yaml in the
// working directory) followed by n generated ones.
func topicsYAML(n int) (string, error) {
	data, err := os.ReadFile("config.yaml")
	if err != nil {
		return "", fmt.Errorf("read the shipped topics: %w", err)
	}
	s := string(data)
	i, j := strings.Index(s, "\ntopics:"), strings.Index(s, "# TOPICS-END")
	if i < 0 || j < i {
		return "", fmt.Errorf("config.yaml: no topics section")
	}
	var b strings.Builder
	b.WriteString(s[i:j])
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(ws []string) string { return ws[r.IntN(len(ws))] }
	for k := range n {
		words := topicWordsEN
		if k%3 == 2 {
			words = topicWordsRU
		}
		q := fmt.Sprintf(`(%s NEAR/5 (%s* OR %s)) OR "%s %s"`, pick(topicPlaces), prefix(pick(words), 5), pick(words), pick(words), pick(words))
		fmt.Fprintf(&b, "  - id: generated-%d\n    title: Generated topic %d\n    query: '%s'\n    exclude: ['%s']\n", k, k, q, pick(words))
	}
	return b.String(), nil
}

// prefix returns the first n letters of w, or w when it is shorter.
func prefix(w string, n int) string {
	r := []rune(w)
	return string(r[:min(n, len(r))])
}
