package demo

// Family concerns in their own words, by the main area of need. Some families write in their
// own language: the concerns are kept verbatim, never translated in place or shortened.
var concernsByArea = map[string][]string{
	"reading": {
		"Reading has always been hard for my child. Homework takes hours and ends in tears most nights. I want the school to teach reading in a way that works for the way my child learns, and I want to know every few weeks if it is working.",
		"We read together every night but the words still don't stick. My child is starting to say they are stupid, and that breaks my heart. Please help with reading and with confidence.",
	},
	"writing": {
		"My child has great ideas but can't get them on paper. Teachers say the work is not finished; I see a kid who gives up because writing hurts and takes forever.",
	},
	"math": {
		"Math facts are still not memorized and word problems are a real struggle. I would like extra help in math and to get the practice materials at home so we can help too.",
	},
	"articulation": {
		"Other kids sometimes don't understand my child and ask them to repeat, so they stopped raising their hand. I want them to speak clearly and feel confident in class.",
	},
	"language": {
		"My child understands more than they can say. When directions are long they get lost and then get in trouble for not following them. We want more speech help and for teachers to know this.",
	},
	"social": {
		"My son wants friends but doesn't know how to join in. Recess and lunch are the hardest parts of the day. We also worry about changes in routine, which cause meltdowns at home and at school.",
		"She is very smart and loves science. What worries us is that she is alone a lot and gets overwhelmed by noise. We want her to have a place to go when it is too much, and support to make friends.",
	},
	"behavior": {
		"When my child gets frustrated things escalate fast and then they are sent out of class and miss learning. I want the school to notice the signs early and teach coping skills, and to call me with good news too, not only when there is a problem.",
	},
	"executive": {
		"Every week there are missing assignments even when the work was done; it just never gets turned in. My child is capable and is losing hope. We need a system that works and communication between home and school.",
	},
	"fine_motor": {
		"Handwriting is very hard to read and my child avoids writing. We want OT to continue and to use a computer for longer work.",
	},
	"motor": {
		"Getting around the school safely and keeping up with classmates matters a lot to us. We want physical therapy, a plan for fire drills and field trips, and for our child to be included in gym and recess.",
	},
	"adaptive": {
		"We want our daughter to be as independent as possible: to take care of herself, make choices, and communicate what she wants. She learns by doing, with pictures and lots of practice.",
	},
	"preschool": {
		"Our child started talking later than his brother and gets upset when he can't tell us what he wants. We hope preschool will help him use more words and play with other children.",
	},
	"hearing": {
		"Our child misses a lot when the classroom is noisy. We want the FM system used in every class, including specials, and teachers who face the class when they talk.",
	},
	"vision": {
		"We want our child to have every book and worksheet in large print on the same day as classmates, and to learn to get around the new school independently.",
	},
	"transition": {
		"We worry about what happens after high school. We want job experience in the community and help connecting with adult services before graduation.",
	},
}

var concernsByLanguage = map[string][]string{
	"es": {
		"Mi hijo se esfuerza mucho pero la lectura le cuesta. Quiero que reciba ayuda todos los días y que la escuela me explique cómo va su progreso en español.",
		"Me preocupa que mi hija se frustra y no quiere ir a la escuela. Queremos que aprenda a leer y escribir y que tenga amigos. Necesito intérprete en las reuniones.",
	},
	"pt-BR": {
		"Meu filho tem dificuldade para ler e fica muito cansado com a lição de casa. Gostaria de receber os documentos em português e saber como ajudar em casa.",
	},
	"ht": {
		"Pitit mwen an gen difikilte pou li ak ekri. Mwen vle lekòl la ede l chak jou epi esplike m nan lang kreyòl sa k ap pase.",
	},
	"vi": {
		"Con tôi gặp khó khăn khi đọc và viết. Gia đình mong nhà trường hỗ trợ thêm và thông báo tiến bộ của cháu bằng tiếng Việt.",
	},
	"zh": {
		"我的孩子在阅读和写作方面有困难。我们希望学校提供更多帮助，并用中文告诉我们孩子的进步。",
	},
	"ar": {
		"ابني يجد صعوبة في القراءة والكتابة. نريد أن تساعده المدرسة كل يوم وأن تخبرنا عن تقدمه باللغة العربية.",
	},
}

var studentVisions = []string{
	"I want to read chapter books by myself and be on the soccer team.",
	"I want to be a scientist and have a best friend at school.",
	"I want to get better at math and help my little sister with homework.",
	"Next year I want to do my work without so much help.",
	"I want to be an artist and make comics.",
}

var postSecondaryVisions = []string{
	"I want to go to community college for graphic design and live in an apartment with a friend.",
	"I want to work with animals, maybe at a vet clinic, and learn to drive.",
	"After high school I want to study computer programming and get a job in technology.",
	"I want a job in a restaurant kitchen and to take the bus on my own.",
	"I want to join a trade program to become an electrician.",
}

var teamVisions = []string{
	"In three to five years the team sees a confident learner who uses strategies independently and takes part fully in general education with peers.",
	"The team envisions a student who advocates for their needs, reads and writes functionally for school and work, and participates in the community.",
	"The team sees a student who communicates wants and needs effectively and participates in routines with increasing independence.",
}

var strengthsList = []string{
	"Kind, funny and persistent; a loyal friend; works hard when a task is meaningful.",
	"Creative and curious; excellent memory for facts; loves building things.",
	"Helpful in the classroom; responds well to praise; strong visual learner.",
	"Good sense of humor, athletic, and very good with younger children.",
}

var pwnReasons = []string{
	"The evaluation shows that the disability affects progress in the general curriculum and that specialized instruction is needed.",
	"Progress data show the current services are helping; the team agreed to continue them with updated goals.",
}

const (
	safeguards  = "You have rights under federal and state special education law. A copy of the Notice of Procedural Safeguards is enclosed and is available in your language from the Student Services office."
	helpSources = "Federation for Children with Special Needs (Parent Training and Information Center); the district's Special Education Parent Advisory Council; the Student Services office."
)
