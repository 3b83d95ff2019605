package demo

import "strings"

// origin is a naming tradition of the district's families, with the home language that goes
// with it. The lists are common given names and surnames of each community in Massachusetts;
// they are not drawn from any real person.
type origin struct {
	name     string
	language string  // BCP 47 home language when the family does not speak English at home
	share    float64 // share of the district's families
	nonEng   float64 // share of these families whose home language is not English
	boys     []string
	girls    []string
	men      []string
	women    []string
	surnames []string
}

var origins = []*origin{
	{name: "anglo", language: "en", share: 0.56,
		boys:     split("Liam Noah Oliver James Benjamin Lucas Henry Jack Owen Theodore Wyatt William Aiden Ryan Connor Brendan Patrick Declan Nolan Caleb Mason Logan Elijah Jayden Malik Isaiah Jordan Tyler Dylan Colin Sean Evan Nathan Cameron Gavin Ethan Michael Anthony Dominic Nicholas Vincent Marcus Darius Xavier Andre Miles Leo Max"),
		girls:    split("Olivia Emma Charlotte Amelia Ava Sophia Isabella Mia Evelyn Harper Abigail Emily Ella Grace Chloe Riley Nora Lily Hannah Madison Aubrey Caroline Molly Brianna Kaitlyn Siobhan Maeve Aaliyah Imani Jada Nia Kayla Zoe Layla Audrey Claire Sarah Leah Julia Gianna Francesca Alexis Morgan Taylor Brooke Natalie Quinn Piper"),
		men:      split("Michael David John James Robert Christopher Daniel Matthew Brian Kevin Jason Thomas Sean Patrick Mark Steven Jeffrey Timothy Andrew Eric Derek Anthony Joseph Paul Darnell Marcus Gregory Scott Ryan Keith"),
		women:    split("Jennifer Jessica Sarah Amanda Elizabeth Melissa Stephanie Nicole Lauren Megan Kathleen Erin Maureen Colleen Danielle Rebecca Christina Heather Laura Rachel Michelle Tiffany Keisha Shannon Kristen Allison Katherine Caitlin Andrea Tamika"),
		surnames: split("Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker Evans Edwards Collins Stewart Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Kelly Howard Sullivan O'Brien Murray Walsh Ryan Doherty McCarthy Kennedy Fitzgerald Donovan Gallagher Brennan Russo Romano DeLuca Marino Caruso Ricci Lombardi Coleman Washington Jefferson Banks Gordon Foster Sanders Hughes Flynn Driscoll Mahoney Callahan Keane Lynch Quinn Nguyen-Walsh"),
	},
	{name: "hispanic", language: "es", share: 0.19, nonEng: 0.58,
		boys:     split("Mateo Santiago Sebastián Diego Alejandro Luis Carlos José Miguel Ángel Adrián Daniel Gabriel Javier Emiliano Julián Andrés Jesús Kevin Brayan Joel Yadiel Jayden Elías Dylan Cristian Héctor Ismael"),
		girls:    split("Sofía Valentina Camila Isabella Mía Lucía Gabriela Daniela María Ximena Valeria Natalia Adriana Génesis Yaritza Ashley Nicole Alondra Paola Yamilet Emely Yuleisy Aylin Esmeralda Luz Marisol"),
		men:      split("José Luis Carlos Juan Miguel Jorge Rafael Pedro Manuel Francisco Héctor Ramón Fernando Alberto Edwin Wilfredo Julio Nelson Ángel Rubén"),
		women:    split("María Ana Carmen Rosa Luz Yesenia Gloria Marisol Sandra Carolina Yolanda Maribel Lourdes Ivelisse Claudia Milagros Wanda Elena Patricia Xiomara"),
		surnames: split("García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres Flores Rivera Gómez Díaz Reyes Cruz Morales Ortiz Gutiérrez Castillo Vargas Ramos Jiménez Rosario Santiago Colón Vázquez Medina Figueroa Soto Peña Guzmán Batista Ventura Mejía Polanco Espinal Almonte Tavárez Cabrera"),
	},
	{name: "brazilian", language: "pt-BR", share: 0.06, nonEng: 0.75,
		boys:     split("Gabriel Lucas Matheus Pedro Guilherme Rafael Felipe Gustavo João Enzo Davi Arthur Heitor Thiago Bruno Vinícius Caio Leonardo Samuel Murilo"),
		girls:    split("Ana Beatriz Júlia Larissa Letícia Mariana Gabriela Isabela Laura Manuela Alice Helena Yasmin Giovanna Lívia Fernanda Clara Heloísa Valentina Sophia"),
		men:      split("Marcos Paulo Anderson Rodrigo Fábio Alexandre Leandro Márcio Ricardo Wellington Sérgio Luciano Eduardo Renato Cláudio"),
		women:    split("Adriana Patrícia Juliana Fernanda Cristiane Luciana Simone Aline Vanessa Daniela Renata Camila Tatiana Elaine Rosângela"),
		surnames: split("Silva Santos Oliveira Souza Pereira Costa Rodrigues Almeida Nascimento Lima Araújo Fernandes Carvalho Gomes Martins Rocha Ribeiro Alves Monteiro Mendes Barros Freitas Barbosa Cardoso Teixeira Moreira"),
	},
	{name: "haitian", language: "ht", share: 0.045, nonEng: 0.6,
		boys:     split("Jean Peterson Woodley Stanley Wilkens Jameson Ricardo Makenson Emmanuel Samuel Nathan Kervens Djimy Ricardson Jephté Wesley Daniel Mackenley Steeve Frantz"),
		girls:    split("Widline Roseline Nadège Fabienne Mirlande Daphnée Sandrine Esther Christelle Naïka Stéphanie Nathalie Ketsia Berline Judith Medjine Rebecca Sherlyne Love Angie"),
		men:      split("Jean-Claude Pierre Joseph Reginald Frantz Jacques Wilner Rony Guerby Yves Fritz Gérald Serge Evens Dieunel"),
		women:    split("Marie Rose-Marie Guerline Nadine Marjorie Ketly Mireille Chantal Yolette Nicole Magalie Edeline Jocelyne Lunide Farah"),
		surnames: split("Jean-Baptiste Pierre Joseph Louis Charles Étienne Desir Saint-Fleur Toussaint Célestin Augustin Dorvil Jean-Louis Michel Paul Noël Philippe Alexis François Guerrier Laguerre Dorsainvil Bélizaire Exantus Jean-Pierre Vilsaint"),
	},
	{name: "vietnamese", language: "vi", share: 0.03, nonEng: 0.6,
		boys:     split("Minh Khoa Huy Bao Duc Quang Tuan Long Phuc Nam Hieu Khang Vinh Thanh Dat Kevin Tony Andrew"),
		girls:    split("Linh Anh Ngoc Trang Thao Mai Vy Nhi Hanh Huong Lan Quynh Tien Uyen Jenny Tracy Vivian"),
		men:      split("Hung Dung Tuan Thanh Son Hai Binh Cuong Quoc Phong Trung Hoa"),
		women:    split("Lan Hoa Thuy Huong Hanh Mai Nga Phuong Thu Loan Hien Tam"),
		surnames: split("Nguyen Nguyen Nguyen Tran Tran Le Pham Hoang Huynh Phan Vu Vo Dang Bui Do Ho Ngo Duong Ly Truong Dinh Lam"),
	},
	{name: "chinese", language: "zh", share: 0.04, nonEng: 0.6,
		boys:     split("Wei Hao Jun Yu Chen Zihan Haoran Yichen Kevin Eric Jason Ryan Justin Andy Jiahao Zhiyuan Ethan Alan"),
		girls:    split("Mei Xinyi Yuxin Zhiyi Ling Jia Qian Ying Emily Grace Angela Vivian Iris Zoe Yutong Ruoxi Cindy Amy"),
		men:      split("Wei Jun Ming Gang Qiang Hui Jian Tao Lei Bin Peng Kai"),
		women:    split("Li Ying Hong Yan Xiu Jing Fang Hua Mei Juan Na Lina"),
		surnames: split("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Lin Guo He Lee Wong Chan Leung Cheung Tang Liang"),
	},
	{name: "arabic", language: "ar", share: 0.03, nonEng: 0.65,
		boys:     split("Mohamed Ahmed Omar Yousef Ali Hassan Karim Adam Zain Ibrahim Khalid Mustafa Hamza Yaseen Bilal Tariq Ayman Sami"),
		girls:    split("Fatima Aisha Mariam Nour Layla Salma Yasmin Huda Rania Leen Jana Malak Sara Dana Reem Lina Zeinab Amira"),
		men:      split("Mohamed Ahmed Mahmoud Khaled Samir Walid Nabil Hisham Tarek Youssef Adel Hani"),
		women:    split("Fatima Amal Rana Hiba Samira Nadia Maha Reem Suha Ghada Mona Hanan"),
		surnames: split("Haddad Khoury Hassan Ibrahim Saleh Abdullah Mansour Nasser Farah Hamdan Al-Masri El-Amin Aziz Darwish Said Youssef Bakr Kassem Othman Shalabi"),
	},
	{name: "somali", language: "so", share: 0.02, nonEng: 0.75,
		boys:     split("Abdirahman Abdullahi Mohamed Ahmed Hassan Yusuf Abdi Farah Liban Bashir Mustafe Khalid Abdikarim Sharmarke"),
		girls:    split("Hodan Amina Fadumo Ayaan Hibo Sahra Ifrah Ubah Nasra Hamdi Idil Sagal Farhiya Najma"),
		men:      split("Abdi Mohamed Hassan Ahmed Ali Omar Abdiaziz Abdiqani Yusuf Osman"),
		women:    split("Halimo Fadumo Asha Amina Khadra Maryan Hawa Sahra Deqa Ladan"),
		surnames: split("Mohamed Ali Hassan Abdi Warsame Farah Omar Osman Jama Hussein Ahmed Yusuf Aden Duale Egal Nur"),
	},
	{name: "khmer", language: "km", share: 0.025, nonEng: 0.45,
		boys:     split("Sokha Vanna Dara Rithy Visal Piseth Sovann Bunthoeun Sambath Kevin Brandon Daniel"),
		girls:    split("Sophea Chanthou Bopha Srey Sokunthea Dalin Malis Sreyleak Kanha Jenny Tiffany Mealea"),
		men:      split("Sophal Vuthy Chantha Samnang Sokhom Pheap Ratha Sarun"),
		women:    split("Sophy Chenda Sokhany Thida Bopha Navy Sreymom Kunthea"),
		surnames: split("Chea Sok Keo Chan Meas Touch Kim Nhem Phan Ouk Prak Heng Ly Hem Pen Sam"),
	},
}

func split(list string) []string { return strings.Fields(list) }

// originShares lists the origins' shares, for weighted picks.
var originShares = func() []float64 {
	w := make([]float64, len(origins))
	for i, o := range origins {
		w[i] = o.share
	}
	return w
}()

// middleNames are the few middle names drawn for any student.
var middleNames = split("Marie Grace Rose Ann Lynn James Michael Joseph Alexander Elizabeth Jean Luis Maria")

// streets and towns make the fictional addresses of families and schools.
var streets = split("Main Elm Maple Oak Pine Cedar Chestnut Walnut School Church Pleasant Summer Winter Highland Prospect Union Washington Lincoln Lowell Merrimack Central Broadway Park Water Mill Bridge Spring Franklin Adams Hancock Revere Auburn Putnam Bartlett Essex")

var streetKinds = split("Street Street Street Avenue Road Lane Court Place Terrace")

// schoolNamesakes name the schools.
var schoolNamesakes = split("Adams Bancroft Brooks Center Cunningham Emerson Greenwood Hawthorne Kennedy Lincoln Longfellow Lowell Mann Parker Pierce Revere Thoreau Tobin Winthrop Alcott Attucks Bradford Bryant Channing Dickinson Douglass Dunbar Eliot Endicott Everett Garrison Hale Holmes Howe Hurley Lyon McAuliffe Mitchell Morse Otis Peabody Phillips Quincy Sargent Sewall Stone Sumner Tubman Warren Webster Wheatley Whittier Willard Wright Carver Batchelder Fuller")

var schoolPrefixes = []string{"", "North ", "South ", "East ", "West "}

// staffNameOrigins weights the origins of staff names (more Anglo than the families).
var staffNameOrigins = []float64{0.74, 0.1, 0.03, 0.03, 0.02, 0.03, 0.02, 0.01, 0.02}

// asciiFold maps the accented letters of the name lists to ASCII for e-mail addresses.
var asciiFold = strings.NewReplacer(
	"á", "a", "à", "a", "â", "a", "ã", "a", "ä", "a", "Á", "A", "Â", "A",
	"é", "e", "è", "e", "ê", "e", "ë", "e", "É", "E", "È", "E",
	"í", "i", "ï", "i", "î", "i", "Í", "I",
	"ó", "o", "ô", "o", "õ", "o", "ö", "o", "Ó", "O",
	"ú", "u", "ü", "u", "Ú", "U", "ñ", "n", "Ñ", "N", "ç", "c", "Ç", "C",
)

// emailLocal turns a name into the local part of an e-mail address: ASCII letters and digits
// only, lower case.
func emailLocal(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('.')
		}
		for _, c := range asciiFold.Replace(p) {
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				b.WriteRune(c)
			case c >= 'A' && c <= 'Z':
				b.WriteRune(c + 'a' - 'A')
			}
		}
	}
	return b.String()
}
