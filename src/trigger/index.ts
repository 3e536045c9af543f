// Placeholder: the MISP IDS -> IOC trigger definition is written here (issue 3).
export {};
