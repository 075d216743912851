-- The image gives MYSQL_USER rights on MYSQL_DATABASE only. Parts 5 and 6
-- keep their prompts in databases of their own, and the tests create and
-- drop throwaway databases named prompt_library_test_<random>.
CREATE DATABASE IF NOT EXISTS prompt_library_part5
    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS prompt_library_part6
    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
GRANT ALL PRIVILEGES ON prompt_library_part5.* TO 'tutorial'@'%';
GRANT ALL PRIVILEGES ON prompt_library_part6.* TO 'tutorial'@'%';
GRANT ALL PRIVILEGES ON `prompt\_library\_test\_%`.* TO 'tutorial'@'%';
