/**
 * English words too common to say anything about which passage answers a
 * question. Based on the usual NLTK/Snowball lists, plus question scaffolding
 * ("tell", "please", "know") that users wrap around the real terms. Entries are
 * lower-case surface forms as produced by `tokenize` (apostrophes removed).
 */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'about', 'above', 'after', 'again', 'against', 'all', 'also', 'am', 'an', 'and', 'any', 'are', 'aren', 'arent',
  'as', 'at', 'be', 'because', 'been', 'before', 'being', 'below', 'between', 'both', 'but', 'by',
  'can', 'cannot', 'cant', 'could', 'couldnt', 'did', 'didnt', 'do', 'does', 'doesnt', 'doing', 'done', 'dont', 'down', 'during',
  'each', 'either', 'else', 'ever', 'few', 'for', 'from', 'further', 'had', 'hadnt', 'has', 'hasnt', 'have', 'havent', 'having',
  'he', 'hed', 'hell', 'her', 'here', 'heres', 'hers', 'herself', 'hes', 'him', 'himself', 'his', 'how', 'hows', 'however',
  'i', 'id', 'if', 'ill', 'im', 'in', 'into', 'is', 'isnt', 'it', 'itll', 'its', 'itself', 'ive', 'just',
  'know', 'let', 'lets', 'like', 'me', 'might', 'more', 'most', 'much', 'must', 'mustnt', 'my', 'myself',
  'neither', 'no', 'nor', 'not', 'now', 'of', 'off', 'on', 'once', 'only', 'or', 'other', 'ought', 'our', 'ours', 'ourselves',
  'out', 'over', 'own', 'please', 'same', 'say', 'says', 'shall', 'shant', 'she', 'shed', 'shell', 'shes', 'should', 'shouldnt',
  'so', 'some', 'such', 'tell', 'than', 'that', 'thats', 'the', 'their', 'theirs', 'them', 'themselves', 'then', 'there', 'theres',
  'these', 'they', 'theyd', 'theyll', 'theyre', 'theyve', 'this', 'those', 'though', 'through', 'thus', 'to', 'too',
  'under', 'until', 'up', 'upon', 'us', 'very', 'was', 'wasnt', 'we', 'wed', 'well', 'were', 'werent', 'weve',
  'what', 'whats', 'when', 'whens', 'where', 'wheres', 'whether', 'which', 'while', 'who', 'whom', 'whos', 'whose', 'why', 'whys',
  'will', 'with', 'within', 'without', 'wont', 'would', 'wouldnt', 'yet', 'you', 'youd', 'youll', 'your', 'youre', 'yours',
  'yourself', 'yourselves', 'youve',
]);
