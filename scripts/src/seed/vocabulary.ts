/** Words the demo data is made of. Realistic enough to search and filter on; invented companies. */

export const companyNameParts = {
  first: [
    'Blue',
    'North',
    'Bright',
    'Silver',
    'Green',
    'Red',
    'Quantum',
    'Swift',
    'Iron',
    'Golden',
    'Clear',
    'Deep',
    'Open',
    'True',
    'Nova',
    'Cedar',
    'Harbor',
    'Summit',
    'Pixel',
    'Atlas',
  ],
  second: [
    'Labs',
    'Systems',
    'Works',
    'Analytics',
    'Health',
    'Logistics',
    'Capital',
    'Foods',
    'Energy',
    'Robotics',
    'Studio',
    'Networks',
    'Bio',
    'Mobility',
    'Retail',
    'Security',
    'Media',
    'Cloud',
    'Finance',
    'Learning',
  ],
};

export const industries = [
  'Software',
  'Healthcare',
  'Finance',
  'Logistics',
  'Retail',
  'Energy',
  'Education',
  'Media',
  'Manufacturing',
  'Consulting',
  'Biotechnology',
  'Telecommunications',
];

export const locations = [
  'Berlin, Germany',
  'Munich, Germany',
  'London, United Kingdom',
  'Manchester, United Kingdom',
  'Paris, France',
  'Lyon, France',
  'Amsterdam, Netherlands',
  'Lisbon, Portugal',
  'Madrid, Spain',
  'Barcelona, Spain',
  'Milan, Italy',
  'Stockholm, Sweden',
  'Copenhagen, Denmark',
  'Warsaw, Poland',
  'Prague, Czechia',
  'Vienna, Austria',
  'Zurich, Switzerland',
  'Dublin, Ireland',
  'New York, NY, USA',
  'San Francisco, CA, USA',
  'Austin, TX, USA',
  'Seattle, WA, USA',
  'Boston, MA, USA',
  'Chicago, IL, USA',
  'Toronto, Canada',
  'Vancouver, Canada',
  'Sydney, Australia',
  'Singapore',
  'Tokyo, Japan',
  'Bangalore, India',
];

export const currencyOf = (location: string): string => {
  if (/USA$/.test(location)) return 'USD';
  if (/United Kingdom$/.test(location)) return 'GBP';
  if (/Canada$/.test(location)) return 'CAD';
  if (/Australia$/.test(location)) return 'AUD';
  if (/Switzerland$/.test(location)) return 'CHF';
  if (/Sweden$/.test(location)) return 'SEK';
  if (/Denmark$/.test(location)) return 'DKK';
  if (/Poland$/.test(location)) return 'PLN';
  if (/Czechia$/.test(location)) return 'CZK';
  if (/Japan$/.test(location)) return 'JPY';
  if (/India$/.test(location)) return 'INR';
  if (/Singapore$/.test(location)) return 'SGD';
  return 'EUR';
};

/** Category tree: top-level name, description, children. */
export const categoryTree: { name: string; description: string; children: string[] }[] = [
  {
    name: 'Engineering',
    description: 'Building and running software and hardware.',
    children: ['Backend', 'Frontend', 'Mobile', 'DevOps', 'Data engineering', 'Embedded', 'QA and testing', 'Security engineering'],
  },
  { name: 'Data and AI', description: 'Analysis, statistics and machine learning.', children: ['Data science', 'Machine learning', 'Business intelligence', 'Data analysis'] },
  { name: 'Product', description: 'Deciding what gets built.', children: ['Product management', 'Product ownership', 'Technical writing'] },
  { name: 'Design', description: 'How products look and work.', children: ['UX design', 'UI design', 'UX research', 'Graphic design'] },
  { name: 'Sales', description: 'Finding and winning customers.', children: ['Account management', 'Business development', 'Sales engineering'] },
  { name: 'Marketing', description: 'Telling the market about the product.', children: ['Content marketing', 'Performance marketing', 'Brand', 'SEO'] },
  { name: 'Operations', description: 'Keeping the company running.', children: ['Customer support', 'Logistics', 'Procurement', 'Office management'] },
  { name: 'Finance', description: 'Money in, money out.', children: ['Accounting', 'Controlling', 'Financial analysis'] },
  { name: 'People', description: 'Hiring and caring for the team.', children: ['Recruiting', 'HR business partner', 'Learning and development'] },
  { name: 'Healthcare', description: 'Clinical and care roles.', children: ['Nursing', 'Pharmacy', 'Clinical research'] },
];

const techSkills =
  'TypeScript,JavaScript,Node.js,Deno,Python,Django,Flask,FastAPI,Java,Spring Boot,Kotlin,Scala,Go,Rust,C,C++,C#,.NET,F#,Ruby,Ruby on Rails,PHP,Laravel,Symfony,Elixir,Phoenix,Erlang,Haskell,OCaml,Clojure,Swift,Objective-C,Dart,Flutter,React,React Native,Next.js,Vue.js,Nuxt,Angular,Svelte,SolidJS,Ember.js,HTML,CSS,Sass,Tailwind CSS,GraphQL,Apollo,REST,gRPC,OpenAPI,WebSockets,PostgreSQL,MySQL,MariaDB,SQLite,Oracle Database,SQL Server,MongoDB,Redis,Cassandra,DynamoDB,Elasticsearch,OpenSearch,ClickHouse,Snowflake,BigQuery,Redshift,Kafka,RabbitMQ,NATS,Pulsar,Spark,Flink,Airflow,dbt,Hadoop,Pandas,NumPy,scikit-learn,PyTorch,TensorFlow,Keras,JAX,Hugging Face,LangChain,OpenCV,R,MATLAB,Julia,SAS,Tableau,Power BI,Looker,Excel,Docker,Kubernetes,Helm,Terraform,Pulumi,Ansible,Chef,Puppet,AWS,Azure,Google Cloud,Linux,Bash,PowerShell,Nginx,Envoy,Istio,Prometheus,Grafana,OpenTelemetry,Datadog,Jenkins,GitHub Actions,GitLab CI,CircleCI,Git,Webpack,Vite,esbuild,Jest,Vitest,Cypress,Playwright,Selenium,JUnit,pytest,Android,iOS,SwiftUI,Jetpack Compose,Unity,Unreal Engine,Blender,Figma,Sketch,Adobe XD,Photoshop,Illustrator,InDesign,After Effects,Salesforce,HubSpot,SAP,Workday,Jira,Confluence,Zendesk,Shopify,Magento,WordPress,Stripe,OAuth,OpenID Connect,Cryptography,Penetration testing,SIEM,ISO 27001,SOC 2,GDPR,Embedded C,RTOS,FPGA,Verilog,VHDL,PLC programming,CAD,SolidWorks,AutoCAD,Microservices,Domain-driven design,Event sourcing,CQRS,System design,Distributed systems,Performance tuning,Accessibility,Internationalization,SEO,Google Analytics,A/B testing';
const professionalSkills =
  'Communication,Leadership,Mentoring,Stakeholder management,Project management,Agile,Scrum,Kanban,Product discovery,Roadmapping,User research,Usability testing,Wireframing,Prototyping,Copywriting,Content strategy,Public speaking,Negotiation,Account planning,Cold outreach,CRM,Forecasting,Budgeting,Financial modelling,IFRS,US GAAP,Auditing,Payroll,Recruiting,Interviewing,Onboarding,Employee relations,Training,Customer success,Technical support,Incident management,Supply chain,Procurement,Inventory management,Lean,Six Sigma,Quality assurance,Risk management,Compliance,Contract law,Data privacy,Clinical trials,Patient care,Pharmacology,Medical coding,First aid,German,French,Spanish,Italian,Portuguese,Dutch,Polish,Japanese,Mandarin,Hindi,English';

export const skills: string[] = [...new Set([...techSkills.split(','), ...professionalSkills.split(',')])];

export const titlesByCategory: Record<string, string[]> = {
  Backend: ['Backend Engineer', 'Senior Backend Engineer', 'API Developer', 'Platform Engineer'],
  Frontend: ['Frontend Engineer', 'React Developer', 'Senior Frontend Engineer', 'Web Developer'],
  Mobile: ['iOS Engineer', 'Android Engineer', 'Mobile Developer'],
  DevOps: ['DevOps Engineer', 'Site Reliability Engineer', 'Cloud Engineer'],
  'Data engineering': ['Data Engineer', 'Analytics Engineer'],
  Embedded: ['Embedded Software Engineer', 'Firmware Engineer'],
  'QA and testing': ['QA Engineer', 'Test Automation Engineer'],
  'Security engineering': ['Security Engineer', 'Application Security Engineer'],
  'Data science': ['Data Scientist', 'Senior Data Scientist'],
  'Machine learning': ['Machine Learning Engineer', 'ML Ops Engineer'],
  'Business intelligence': ['BI Developer', 'BI Analyst'],
  'Data analysis': ['Data Analyst', 'Product Analyst'],
  'Product management': ['Product Manager', 'Senior Product Manager', 'Group Product Manager'],
  'Product ownership': ['Product Owner'],
  'Technical writing': ['Technical Writer'],
  'UX design': ['UX Designer', 'Product Designer'],
  'UI design': ['UI Designer', 'Visual Designer'],
  'UX research': ['UX Researcher'],
  'Graphic design': ['Graphic Designer'],
  'Account management': ['Account Manager', 'Key Account Manager'],
  'Business development': ['Business Development Representative', 'Business Development Manager'],
  'Sales engineering': ['Sales Engineer', 'Solutions Consultant'],
  'Content marketing': ['Content Marketing Manager', 'Copywriter'],
  'Performance marketing': ['Performance Marketing Manager', 'Growth Marketer'],
  Brand: ['Brand Manager'],
  SEO: ['SEO Specialist'],
  'Customer support': ['Customer Support Specialist', 'Support Team Lead'],
  Logistics: ['Logistics Coordinator', 'Warehouse Manager'],
  Procurement: ['Buyer', 'Procurement Manager'],
  'Office management': ['Office Manager'],
  Accounting: ['Accountant', 'Senior Accountant'],
  Controlling: ['Financial Controller'],
  'Financial analysis': ['Financial Analyst', 'FP&A Manager'],
  Recruiting: ['Recruiter', 'Technical Recruiter', 'Talent Acquisition Lead'],
  'HR business partner': ['HR Business Partner'],
  'Learning and development': ['Learning and Development Specialist'],
  Nursing: ['Registered Nurse', 'Nurse Practitioner'],
  Pharmacy: ['Pharmacist', 'Pharmacy Technician'],
  'Clinical research': ['Clinical Research Associate', 'Clinical Trial Manager'],
};

export const descriptionSentences = [
  'You will join a small, senior team that owns its work from idea to production.',
  'We value clear writing, careful reviews and shipping in small steps.',
  'Our customers rely on us every day, so quality and reliability come first.',
  'You will work closely with product, design and support.',
  'We offer flexible hours, a learning budget and a yearly team retreat.',
  'The role reports to the head of the department.',
  'Expect a mix of new projects and improving what already runs.',
  'We are growing quickly and you will help shape how we work.',
];

export const firstNames = [
  'Ada',
  'Lin',
  'Sam',
  'Noor',
  'Kai',
  'Mia',
  'Omar',
  'Eva',
  'Jonas',
  'Priya',
  'Lucas',
  'Amara',
  'Mateo',
  'Yuki',
  'Elif',
  'Tomasz',
  'Ines',
  'Ravi',
  'Hana',
  'Leo',
];

export const lastNames = [
  'Novak',
  'Garcia',
  'Schmidt',
  'Rossi',
  'Dubois',
  'Silva',
  'Kowalski',
  'Jansen',
  'Larsen',
  'Okafor',
  'Tanaka',
  'Patel',
  'Murphy',
  'Nielsen',
  'Costa',
  'Weber',
  'Haddad',
  'Kim',
  'Moreau',
  'Berg',
];

export const coverLetterSentences = [
  'I have followed your work for a while and would love to contribute.',
  'In my last role I owned a similar area end to end.',
  'I enjoy working closely with customers and turning feedback into improvements.',
  'I am looking for a team that cares about doing things well.',
  'My background fits the requirements listed, and I learn quickly where it does not.',
  'I can share references and examples of my work on request.',
];

/** What an employer writes when moving an application along, by the status it moves to. */
export const statusNotes: Record<string, string[]> = {
  REVIEWING: ['Looks promising, reading the details.', 'Forwarded to the hiring manager.'],
  SHORTLISTED: ['Strong background, shortlisted.', 'Good match for the team.'],
  INTERVIEWING: ['Invited to interview.'],
  OFFERED: ['Offer sent.', 'Great interviews, making an offer.'],
  HIRED: ['Offer accepted. Welcome aboard!'],
  REJECTED: ['Thank you for applying; we went with other candidates.', 'Not the right fit for this role.'],
};
