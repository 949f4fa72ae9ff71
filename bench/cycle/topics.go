package main

import (
	"fmt"
	"math/rand/v2"
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

// topic is a generated topic, added after the shipped ones.
type topic struct {
	ID      string   `yaml:"id"`
	Title   string   `yaml:"title"`
	Query   string   `yaml:"query"`
	Exclude []string `yaml:"exclude"`
}

// generatedTopics returns n topics, the same on every run.
func generatedTopics(n int) []topic {
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(ws []string) string { return ws[r.IntN(len(ws))] }
	ts := make([]topic, n)
	for k := range ts {
		words := topicWordsEN
		if k%3 == 2 {
			words = topicWordsRU
		}
		q := fmt.Sprintf(`(%s NEAR/5 (%s* OR %s)) OR "%s %s"`, pick(topicPlaces), prefix(pick(words), 5), pick(words), pick(words), pick(words))
		ts[k] = topic{ID: fmt.Sprintf("generated-%d", k), Title: fmt.Sprintf("Generated topic %d", k), Query: q, Exclude: []string{pick(words)}}
	}
	return ts
}

// prefix returns the first n letters of w, or w when it is shorter.
func prefix(w string, n int) string {
	r := []rune(w)
	return string(r[:min(n, len(r))])
}
